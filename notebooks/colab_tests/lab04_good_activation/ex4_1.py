from otter.test_files import test_case

OK_FORMAT = False

name = "ex4_1"
points = 1

@test_case(points=0, hidden=False)
def test_ex4_1_public(elu_derivative):
    from nonlinear import checks
    result = checks.check_elu_derivative(elu_derivative, show=False)
    assert result.passed, result.message

