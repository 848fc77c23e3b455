"""The form that checks a pasted or uploaded credential."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField


class CredentialForm(FlaskForm):
    """Paste a credential or upload its file (one of the two)."""

    credential = TextAreaField(
        "Paste the credential",
        description="The long text starting with eyJ: the contents of the .jwt file the holder sent you",
    )
    upload = FileField("Or upload the credential file", description="A .jwt or .json file of up to 64 KB")

    def payload(self) -> bytes | None:
        """What was sent: the uploaded file's bytes, else the pasted text; None when neither."""
        upload = self.upload.data
        if upload is not None and getattr(upload, "filename", ""):
            # Read one byte more than allowed: enough to refuse a larger file without reading it all.
            from learnhub.credentials.verification import MAX_CREDENTIAL_BYTES

            data = upload.read(MAX_CREDENTIAL_BYTES + 1)
            if data:
                return data
        text = (self.credential.data or "").strip()
        return text.encode() if text else None
