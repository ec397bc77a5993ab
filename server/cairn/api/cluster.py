"""/config/cluster: the cluster's settings and its controllers."""

from ..service import cluster as svc
from . import crud, schemas
from .body import config_object, envelope, no_content


def register(app):
    @app.get("/config/cluster", permission=crud.READ, summary="The cluster and its controllers",
             response=schemas.config("cluster", schemas.obj(svc.FIELDS, strict=False)),
             statuses=[200, 401])
    def get(ctx):
        return envelope("cluster", svc.get(ctx))

    @app.post("/config/cluster", permission=crud.WRITE, summary="Change the cluster's settings "
              "(400 for the controllers, which are read-only)",
              request=schemas.config("cluster", schemas.obj(svc.FIELDS)),
              statuses=[204, 400, 401])
    def save(ctx):
        svc.save(ctx, config_object("cluster"))
        return no_content()
