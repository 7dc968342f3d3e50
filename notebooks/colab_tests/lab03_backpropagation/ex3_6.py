from otter.test_files import test_case

OK_FORMAT = False

name = "ex3_6"
points = 2

@test_case(points=0, hidden=False)
def test_ex3_6_public(two_layer_gradients):
    from nonlinear import checks
    result = checks.check_two_layer_gradients(two_layer_gradients, show=False)
    assert result.passed, result.message

