"""Live audit of a deployed account (boto3): the same clause catalogue and result model as the synth report."""
