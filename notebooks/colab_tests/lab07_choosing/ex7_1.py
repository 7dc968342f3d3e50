from otter.test_files import test_case

OK_FORMAT = False

name = "ex7_1"
points = 1

@test_case(points=0, hidden=False)
def test_ex7_1_public(bce_with_logits):
    from nonlinear import checks
    result = checks.check_bce_with_logits(bce_with_logits, show=False)
    assert result.passed, result.message

