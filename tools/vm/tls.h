/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * HTTPS for pullboot-vm's embedded server: the server's certificate and key, either read from PEM
 * files or made on the spot (a throwaway CA and a server certificate for the address the guest
 * reaches the server at), and the CA certificates enrolled into the VM's variable store as edk2's
 * TlsCaCertificate, so the firmware's HTTPS boot trusts the server.
 */

struct tls_material {
        char *cert_pem;                /* NUL-terminated PEM, malloc'd: what the server presents */
        char *key_pem;
};

/* Reads the server certificate (chain) and key. -errno (logged, naming the file). */
int tls_material_load(const char *cert_path, const char *key_path, struct tls_material *ret);

/*
 * Makes a throwaway CA (RSA 2048, one day) and a server certificate it signs, valid for the IP
 * addresses 10.0.2.2 (the guest's view of the host) and 127.0.0.1. The CA certificate is written
 * to ca_path (PEM); its key is never written anywhere. -errno (logged).
 */
int tls_material_make_throwaway(const char *ca_path, struct tls_material *ret);

void tls_material_done(struct tls_material *m);

/* Sets TlsCaCertificate in the VARS file vars to the certificates of the PEM file ca_path.
 * Returns how many were enrolled, or -errno (logged). */
int tls_enroll_ca(const char *vars, const char *ca_path);
