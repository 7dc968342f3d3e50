from otter.test_files import test_case

OK_FORMAT = False

name = "ex5_1"
points = 1

@test_case(points=0, hidden=False)
def test_ex5_1_public(stable_sigmoid):
    from nonlinear import checks
    result = checks.check_stable_sigmoid(stable_sigmoid, show=False)
    assert result.passed, result.message

