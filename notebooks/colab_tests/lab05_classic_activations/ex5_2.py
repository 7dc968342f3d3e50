from otter.test_files import test_case

OK_FORMAT = False

name = "ex5_2"
points = 1

@test_case(points=0, hidden=False)
def test_ex5_2_public(stable_softplus):
    from nonlinear import checks
    result = checks.check_stable_softplus(stable_softplus, show=False)
    assert result.passed, result.message

