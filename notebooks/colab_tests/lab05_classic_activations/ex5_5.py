from otter.test_files import test_case

OK_FORMAT = False

name = "ex5_5"
points = 1

@test_case(points=0, hidden=False)
def test_ex5_5_public(dead_fraction_after_training):
    from nonlinear import checks
    result = checks.check_dead_fraction_after_training(dead_fraction_after_training, show=False)
    assert result.passed, result.message

