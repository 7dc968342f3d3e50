from otter.test_files import test_case

OK_FORMAT = False

name = "ex6_6"
points = 2

@test_case(points=0, hidden=False)
def test_ex6_6_public(layer_statistics):
    from nonlinear import checks
    result = checks.check_layer_statistics(layer_statistics, show=False)
    assert result.passed, result.message

