import type { Engine } from "../engine";
import { fault, iso, paginate, type Req, type Router } from "../http";
import type { Image } from "../state";

export function glanceRoutes(router: Router, engine: Engine): void {
  const need = (req: Req) => {
    if (!req.auth) throw fault("image", 401, "The request you have made requires authentication.");
  };
  const view = (img: Image) => ({
    id: img.id,
    name: img.name,
    status: "active",
    visibility: "public",
    disk_format: "qcow2",
    container_format: "bare",
    size: 2_361_393_152,
    min_ram: 0,
    min_disk: 10,
    protected: false,
    os_hidden: false,
    owner: "0".repeat(32),
    tags: [],
    created_at: iso.nova(img.createdAt),
    updated_at: iso.nova(img.createdAt),
    self: `/v2/images/${img.id}`,
    file: `/v2/images/${img.id}/file`,
    schema: "/v2/schemas/image",
    ...img.properties,
  });
  router.on("GET", "/image", (req) => ({
    status: 300,
    body: {
      versions: [
        { id: "v2.16", status: "CURRENT", links: [{ rel: "self", href: `${req.baseUrl}/image/v2/` }] },
      ],
    },
  }));
  router.on("GET", "/image/v2/images", (req) => {
    need(req);
    const name = req.query.get("name");
    const items = engine.state.images
      .filter((i) => !name || i.name === name)
      .sort((a, b) => b.createdAt - a.createdAt);
    const { page, links } = paginate(req, items, "images");
    const next = links[0]?.href.replace(`${req.baseUrl}/image`, "");
    return {
      status: 200,
      body: {
        images: page.map(view),
        schema: "/v2/schemas/images",
        first: "/v2/images",
        ...(next ? { next } : {}),
      },
    };
  });
  router.on("GET", "/image/v2/images/:id", (req, { id }) => {
    need(req);
    const img = engine.state.images.find((i) => i.id === id);
    if (!img) throw fault("image", 404, `No image found with ID ${id}`);
    return { status: 200, body: view(img) };
  });
}
