#!/bin/sh
# Regenerates the TLS fixtures used by dev.postilion.testing.TestTls (run once; the files are
# committed). Every key is throwaway test material for loopback servers only.
#   ca.pem            test CA (trust anchor handed to the client with --tls-ca / TlsSettings)
#   localhost.p12     leaf for localhost, 127.0.0.1 and ::1, signed by the CA, valid until 2125
#   expired.p12       same names, signed by the CA, expired in 2021
#   wrong-host.p12    leaf for other.example only, signed by the CA
#   name-only.p12     leaf for DNS:localhost only (no IP address), signed by the CA
#   address-only.p12  leaf for IP:127.0.0.1 only (no name), signed by the CA
#   self-signed.p12   self-signed leaf for localhost/127.0.0.1 (no CA vouches for it)
# PKCS12 password: changeit
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P=changeit
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ca.key" -out ca.pem \
  -days 36500 -subj "/CN=Postilion Test CA/O=Postilion tests" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
leaf() { # name subject san startdate enddate
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/$1.key" -out "$tmp/$1.csr" -subj "$2"
  cat > "$tmp/$1.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$3
EXT
  mkdir -p "$tmp/db/new"; : > "$tmp/db/index"; [ -f "$tmp/db/serial" ] || echo 1000 > "$tmp/db/serial"
  cat > "$tmp/ca.cnf" <<CNF
[ ca ]
default_ca = test
[ test ]
database = $tmp/db/index
new_certs_dir = $tmp/db/new
serial = $tmp/db/serial
default_md = sha256
policy = any
unique_subject = no
[ any ]
commonName = supplied
CNF
  openssl ca -batch -config "$tmp/ca.cnf" -cert ca.pem -keyfile "$tmp/ca.key" -in "$tmp/$1.csr" \
    -out "$tmp/$1.pem" -startdate "$4" -enddate "$5" -extfile "$tmp/$1.ext" -notext
  openssl pkcs12 -export -inkey "$tmp/$1.key" -in "$tmp/$1.pem" -certfile ca.pem -name server \
    -out "$1.p12" -passout pass:$P
}
leaf localhost "/CN=localhost" "DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1" 20250101000000Z 21250101000000Z
leaf expired "/CN=localhost" "DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1" 20200101000000Z 20210101000000Z
leaf wrong-host "/CN=other.example" "DNS:other.example" 20250101000000Z 21250101000000Z
leaf name-only "/CN=localhost" "DNS:localhost" 20250101000000Z 21250101000000Z
leaf address-only "/CN=127.0.0.1" "IP:127.0.0.1" 20250101000000Z 21250101000000Z
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/self.key" -out "$tmp/self.pem" \
  -days 36500 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
openssl pkcs12 -export -inkey "$tmp/self.key" -in "$tmp/self.pem" -name server -out self-signed.p12 -passout pass:$P
