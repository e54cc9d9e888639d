#!/bin/sh
# One Timonier cluster, for the classroom module's local-exec provisioners: `create` writes
# $DIR/$NAME.yaml (the kubeconfig) and $DIR/$NAME.id; `delete` tears the cluster down and removes both.
set -eu
api="${TIMONIER_URL%/}/v1/clusters"
auth="Authorization: Bearer $TIMONIER_TOKEN"
case "$1" in
create)
  mkdir -p "$DIR"
  body=$(curl -fsS -X POST "$api" -H "$auth" -H "content-type: application/json" \
    -d "{\"name\":\"$NAME\",\"tenant\":\"$TENANT\"}")
  id=$(printf '%s' "$body" | sed -n 's/^{"id":"\([0-9a-f-]*\)".*/\1/p')
  [ -n "$id" ] || { echo "unexpected answer from $api: $body" >&2; exit 1; }
  printf '%s\n' "$id" >"$DIR/$NAME.id"
  curl -fsS "$api/$id/kubeconfig" -H "$auth" -o "$DIR/$NAME.yaml"
  ;;
delete)
  id=$(cat "$DIR/$NAME.id" 2>/dev/null || true)
  if [ -n "$id" ]; then
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$api/$id" -H "$auth")
    case "$code" in 2??|404) ;; *) echo "delete $NAME: HTTP $code" >&2; exit 1 ;; esac
  fi
  rm -f "$DIR/$NAME.id" "$DIR/$NAME.yaml"
  ;;
*)
  echo "usage: $0 create|delete" >&2
  exit 2
  ;;
esac
