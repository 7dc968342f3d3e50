from otter.test_files import test_case

OK_FORMAT = False

name = "ex4_2"
points = 1

@test_case(points=0, hidden=False)
def test_ex4_2_public(tanh_vjp_from_output):
    from nonlinear import checks
    result = checks.check_tanh_vjp_from_output(tanh_vjp_from_output, show=False)
    assert result.passed, result.message

