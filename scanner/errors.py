"""Exceptions raised by the scanner.

Every error carries a machine `reason` code (stable, used by formkit to pick an exit code and
by logs) and a `message` a clerk can act on. No exit codes here: formkit owns that mapping.
"""

from __future__ import annotations


class ScannerError(Exception):
    """Base class: anything the scanner refuses or cannot do."""

    reason = "scanner_error"
    default_message = "The scan could not be processed."

    def __init__(self, message: str | None = None, *, path: str | None = None) -> None:
        self.message = message or self.default_message
        self.path = path
        super().__init__(self.message)

    def to_dict(self) -> dict[str, str | None]:
        return {"reason": self.reason, "message": self.message, "path": self.path}


class InputError(ScannerError):
    """The input file (or one of its pages) cannot be used."""

    reason = "input_error"
    default_message = "The file could not be read as a scan."


class EmptyFileError(InputError):
    reason = "empty_file"
    default_message = "The file is empty (0 bytes). Copy or export the scan again."


class UnsupportedTypeError(InputError):
    reason = "unsupported_type"
    default_message = "This is not a PDF, TIFF, PNG or JPEG scan. Save the scan in one of those formats."


class CorruptPdfError(InputError):
    reason = "corrupt_pdf"
    default_message = "The PDF is damaged and cannot be opened. Scan the pages again or re-export the PDF."


class TruncatedFileError(InputError):
    reason = "truncated_file"
    default_message = "The file is incomplete (cut off). Copy it again from the scanner or e-mail."


class EncryptedPdfError(InputError):
    reason = "encrypted_pdf"
    default_message = ("The PDF is password-protected. Save it again without a password "
                       "(or turn off encryption on the scanner) and retry.")


class CorruptImageError(InputError):
    reason = "corrupt_image"
    default_message = "The image file is damaged and cannot be decoded. Scan the page again."


class ImageTooLargeError(InputError):
    reason = "image_too_large"
    default_message = ("The image is too large to be a scanned page (over 12,000 pixels a side or "
                       "150 megapixels). Scan at 150-600 dpi.")


class UnreadablePageError(InputError):
    reason = "unreadable_page"
    default_message = "This page could not be turned into an image. Scan the page again."


class NotFoundError(InputError):
    reason = "not_found"
    default_message = "The file or folder does not exist."
