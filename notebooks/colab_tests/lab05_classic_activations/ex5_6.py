from otter.test_files import test_case

OK_FORMAT = False

name = "ex5_6"
points = 1

@test_case(points=0, hidden=False)
def test_ex5_6_public(half_dead_lr):
    from nonlinear import checks
    result = checks.check_half_dead_lr(half_dead_lr, show=False)
    assert result.passed, result.message

