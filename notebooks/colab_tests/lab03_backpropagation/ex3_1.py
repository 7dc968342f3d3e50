from otter.test_files import test_case

OK_FORMAT = False

name = "ex3_1"
points = 1

@test_case(points=0, hidden=False)
def test_ex3_1_public(sigmoid_vjp):
    from nonlinear import checks
    result = checks.check_sigmoid_vjp(sigmoid_vjp, show=False)
    assert result.passed, result.message

