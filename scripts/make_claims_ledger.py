"""Write chapters/claims.md (the claim ledger) from nonlinear/claim_registry.py.

Run after editing the registry: ``python scripts/make_claims_ledger.py``.
tests/test_claims.py fails while the page and the registry disagree.
"""

from pathlib import Path

from nonlinear.claims import ledger

if __name__ == "__main__":
    path = Path(__file__).resolve().parent.parent / "chapters" / "claims.md"
    path.write_text(ledger(), encoding="utf-8")
    print(f"wrote {path}")
