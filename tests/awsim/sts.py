"""STS: GetCallerIdentity, enough for a client to learn the account it talks to."""

from state import ACCOUNT


class STS:
    def __init__(self, state):
        self.state = state

    def GetCallerIdentity(self, p, ctx):
        return {"UserId": ctx.access_key, "Account": ACCOUNT,
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/awsim"}
