"""/files: the packed images, kernels and initrds, with HTTP ranges for resumed downloads.
A node's provisioning token downloads the files of its own image's pack, no others."""

import bottle

from ..service import osimages, provisioning
from . import crud


def register(app):
    @app.get("/files/<name>", permission=crud.READ, node_token=True,
             summary="A file of files_dir: an image's tarball, kernel or initrd (Range, "
                     "If-Modified-Since and If-None-Match are honoured)",
             statuses=[200, 206, 304, 401, 404, 416])
    def download(ctx, name):
        provisioning.refuse_foreign_file(ctx, name)  # a node's token: its own image's pack only
        # One type for all: kernels and initrds have no extension to guess one from.
        return bottle.static_file(osimages.served_file(ctx, name), root=ctx.settings.files_dir,
                                  mimetype="application/octet-stream")
