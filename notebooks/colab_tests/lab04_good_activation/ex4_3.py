from otter.test_files import test_case

OK_FORMAT = False

name = "ex4_3"
points = 1

@test_case(points=0, hidden=False)
def test_ex4_3_public(vanishing_depth):
    from nonlinear import checks
    result = checks.check_vanishing_depth(vanishing_depth, show=False)
    assert result.passed, result.message

