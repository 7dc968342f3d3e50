from otter.test_files import test_case

OK_FORMAT = False

name = "ex4_4"
points = 2

@test_case(points=0, hidden=False)
def test_ex4_4_public(largest_stable_lr):
    from nonlinear import checks
    result = checks.check_largest_stable_lr(largest_stable_lr, show=False)
    assert result.passed, result.message

