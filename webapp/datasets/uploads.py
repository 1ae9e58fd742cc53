"""An upload handler that refuses a request body past settings.MAX_UPLOAD_BYTES while it is parsed.

It is the first of settings.FILE_UPLOAD_HANDLERS, so every multipart parse (the
dataset upload, the graph import, and the CSRF check that reads request.POST)
stops at the limit: a declared Content-Length over it is refused before any
byte is read, and a body that streams past it is cut at the first chunk over.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

MULTIPART_SLACK = 64 * 1024  # the form's other fields and the part headers


class UploadTooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"the upload is larger than the limit of {limit / (1024 * 1024):.0f} MB")


class MaxSizeUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = settings.MAX_UPLOAD_BYTES
        self.received = 0
        if content_length and content_length > self.limit + MULTIPART_SLACK:
            raise UploadTooLarge(self.limit)
        return None  # let the next handlers store the file

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise UploadTooLarge(self.limit)
        return raw_data

    def file_complete(self, file_size):
        return None
