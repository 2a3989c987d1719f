"""Operations on one tenant's data in the deployed environment (``python -m tenants``)."""
