from otter.test_files import test_case

OK_FORMAT = False

name = "ex6_1"
points = 1

@test_case(points=0, hidden=False)
def test_ex6_1_public(hard_swish):
    from nonlinear import checks
    result = checks.check_hard_swish(hard_swish, show=False)
    assert result.passed, result.message

