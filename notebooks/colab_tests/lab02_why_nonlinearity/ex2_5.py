from otter.test_files import test_case

OK_FORMAT = False

name = "ex2_5"
points = 2

@test_case(points=0, hidden=False)
def test_ex2_5_public(xor_network):
    from nonlinear import checks
    result = checks.check_xor_network(xor_network, show=False)
    assert result.passed, result.message

