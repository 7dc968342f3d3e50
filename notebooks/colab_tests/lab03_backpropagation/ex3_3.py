from otter.test_files import test_case

OK_FORMAT = False

name = "ex3_3"
points = 1

@test_case(points=0, hidden=False)
def test_ex3_3_public(mse_backward):
    from nonlinear import checks
    result = checks.check_mse_backward(mse_backward, show=False)
    assert result.passed, result.message

