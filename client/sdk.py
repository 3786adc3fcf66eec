"""What differs between the openai releases the workflows run under (1.55 to 3.x)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openai import OpenAI

if TYPE_CHECKING:
    from openai.resources.vector_stores import VectorStores

__all__ = ["vector_stores"]


def vector_stores(client: OpenAI) -> VectorStores:
    """`client.vector_stores`, which releases before 1.66 keep at `client.beta.vector_stores`."""
    if hasattr(client, "vector_stores"):
        return client.vector_stores
    stores: VectorStores = client.beta.vector_stores  # type: ignore[attr-defined]
    return stores
