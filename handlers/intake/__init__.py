"""The intake conversation: the questions (``prompts``), the answers and moving between steps
(``steps``), and answering a photo album once (``albums``)."""
