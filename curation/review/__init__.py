"""The review workflow: classified fields change only through reviewed change requests.

`services` holds the operations (propose, approve, reject, withdraw, renew, direct edits,
drafts, import runs); `fields` says which fields are classified and how each is read, checked,
written and shown; `errors` the refusals they raise.
"""
