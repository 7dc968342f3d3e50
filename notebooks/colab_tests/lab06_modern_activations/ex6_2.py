from otter.test_files import test_case

OK_FORMAT = False

name = "ex6_2"
points = 1

@test_case(points=0, hidden=False)
def test_ex6_2_public(swish_derivative):
    from nonlinear import checks
    result = checks.check_swish_derivative(swish_derivative, show=False)
    assert result.passed, result.message

