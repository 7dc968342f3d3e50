from otter.test_files import test_case

OK_FORMAT = False

name = "ex2_1"
points = 1

@test_case(points=0, hidden=False)
def test_ex2_1_public(collapse):
    from nonlinear import checks
    result = checks.check_collapse(collapse, show=False)
    assert result.passed, result.message

