from otter.test_files import test_case

OK_FORMAT = False

name = "ex5_4"
points = 1

@test_case(points=0, hidden=False)
def test_ex5_4_public(leaky_relu_derivative):
    from nonlinear import checks
    result = checks.check_leaky_relu_derivative(leaky_relu_derivative, show=False)
    assert result.passed, result.message

