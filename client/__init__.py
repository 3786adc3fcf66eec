"""The seed workflow, driven through an injected `openai.OpenAI`."""

__all__: list[str] = []
