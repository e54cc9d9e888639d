/** What the offline images are made of: one Debian rootfs, several image configs on top of it. */

export const DEBIAN_SUITE = "bookworm";
/**
 * busybox comes from the next suite: bookworm's builds (1.35, busybox and busybox-static alike) leave wget's
 * timeout out, so `wget -T 2` writes through a NULL pointer (Segmentation fault) and `--timeout=1` prints
 * the usage. trixie's busybox-static (1.37, the official image's version) has both and, static, needs
 * nothing of bookworm's libc.
 */
export const BUSYBOX = { suite: "trixie", package: "busybox-static" };
/**
 * libmath-bigint-perl: bookworm's core Math::BigInt fails `bpi(2000)`; the packaged newer one works.
 * nodejs and iproute2 run netd, the platform's service proxy, DNS server and gateway (nftables: the gateway
 * enforces NetworkPolicy on the node's cluster bridges); redis-server the catalog's Redis.
 */
export const PACKAGES = [
  "nginx-light",
  "perl",
  "libmath-bigint-perl",
  "ca-certificates",
  "nodejs",
  "iproute2",
  "nftables",
  "redis-server",
  // Debian's busybox nc has neither -z nor -v: netcat 1.10, whose options the official busybox's nc copies
  "netcat-traditional",
  // as in the official nginx image
  "curl",
];

export interface ImageConfig {
  /** repo:tag names, the first is where the image is committed. */
  tags: string[];
  cmd: string[];
  entrypoint?: string[];
  env?: string[];
  exposedPorts?: string[];
  stopSignal?: string;
  workingDir?: string;
}

const PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export const IMAGES: ImageConfig[] = [
  {
    // The pod sandbox: holds the network namespace and exits at once on SIGTERM.
    tags: ["timonier/pause:1"],
    cmd: ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"],
    env: [PATH],
  },
  // 1.28: the tag of Kubernetes' DNS-debugging and NetworkPolicy tutorials
  { tags: ["busybox:latest", "busybox:1.36", "busybox:1.28"], cmd: ["sh"], env: [PATH] },
  { tags: ["alpine:latest", "alpine:3.20"], cmd: ["/bin/sh"], env: [PATH] },
  {
    tags: ["nginx:latest", "nginx:1.14.2", "nginx:1.25", "nginx:1.27", "nginx:alpine"],
    entrypoint: ["/docker-entrypoint.sh"],
    cmd: ["nginx", "-g", "daemon off;"],
    env: [PATH, "NGINX_VERSION=1.22.1"],
    exposedPorts: ["80/tcp"],
    stopSignal: "SIGQUIT",
  },
  { tags: ["perl:latest", "perl:5.36"], cmd: ["perl", "-de0"], env: [PATH] },
  {
    // Like the official image: no config file, protected mode off so that other pods may connect.
    tags: ["redis:latest", "redis:7", "redis:7.0"],
    entrypoint: ["/usr/local/bin/redis-entrypoint.sh"],
    cmd: ["redis-server"],
    env: [PATH],
    exposedPorts: ["6379/tcp"],
    workingDir: "/data",
  },
];

/** The official nginx image's server block: the welcome page from /usr/share/nginx/html on port 80. */
export const NGINX_DEFAULT_CONF = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

/** Says what the official image's entrypoint says, so `kubectl logs` shows a starting nginx. */
export const NGINX_ENTRYPOINT = `#!/bin/sh
set -e
if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    echo "/docker-entrypoint.sh: Configuration complete; ready for start up"
fi
exec "$@"
`;

/** Starts redis-server reachable from other pods, as the official image's build does. */
export const REDIS_ENTRYPOINT = `#!/bin/sh
set -e
if [ "$1" = "redis-server" ]; then
    set -- "$@" --protected-mode no
fi
exec "$@"
`;

/** Applied inside the rootfs after debootstrap. */
export const CUSTOMIZE = `set -e
rm -f etc/nginx/sites-enabled/default
ln -sf /dev/stdout var/log/nginx/access.log
ln -sf /dev/stderr var/log/nginx/error.log
# -L too: an alternative's link (nc -> /etc/alternatives/nc) is absolute and would be followed on the host
chroot . /bin/busybox --list | while read applet; do
  debian=
  for dir in bin usr/bin sbin usr/sbin; do
    if [ -e $dir/$applet ] || [ -L $dir/$applet ]; then debian=1; fi
  done
  [ -n "$debian" ] || ln -s /bin/busybox usr/local/bin/$applet
done
rm -rf var/lib/apt/lists/* var/cache/apt/* usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/*
`;
