#!/bin/sh
# HEALTHCHECK of the pfgm-serve images: grpc.health.v1 for pfgm.v1.Generator on the server's own
# port, in plaintext or, when the server speaks TLS, over TLS. The probe checks that the server
# serves, not its certificate (-tls-no-verify). With mTLS (tls-client-ca) set PFGM_HEALTH_CLIENT_CERT
# and PFGM_HEALTH_CLIENT_KEY to a client certificate the server accepts. Health needs no token.
# POSIX sh (the images' /bin/sh), so no pipefail; the script has no pipelines.
set -eu
addr="127.0.0.1:${PFGM_PORT:-50051}"
probe() {
  grpc-health-probe -addr="$addr" -service=pfgm.v1.Generator -connect-timeout=2s -rpc-timeout=2s "$@"
}
if [ -n "${PFGM_TLS_CERT:-}" ]; then
  if [ -n "${PFGM_HEALTH_CLIENT_CERT:-}" ]; then
    probe -tls -tls-no-verify -tls-client-cert="$PFGM_HEALTH_CLIENT_CERT" -tls-client-key="$PFGM_HEALTH_CLIENT_KEY"
    exit
  fi
  probe -tls -tls-no-verify
  exit
fi
# TLS may also be set by flags after the image name: plaintext first, then TLS.
probe >/dev/null 2>&1 || probe -tls -tls-no-verify
