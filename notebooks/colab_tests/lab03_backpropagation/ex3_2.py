from otter.test_files import test_case

OK_FORMAT = False

name = "ex3_2"
points = 2

@test_case(points=0, hidden=False)
def test_ex3_2_public(linear_backward):
    from nonlinear import checks
    result = checks.check_linear_backward(linear_backward, show=False)
    assert result.passed, result.message

