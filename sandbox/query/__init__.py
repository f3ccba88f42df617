"""QBO's query language: a tokenizer, a parser to a `Query`, and an engine over stored rows."""
