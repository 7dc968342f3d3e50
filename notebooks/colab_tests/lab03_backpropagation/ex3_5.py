from otter.test_files import test_case

OK_FORMAT = False

name = "ex3_5"
points = 1

@test_case(points=0, hidden=False)
def test_ex3_5_public(central_difference):
    from nonlinear import checks
    result = checks.check_central_difference(central_difference, show=False)
    assert result.passed, result.message

