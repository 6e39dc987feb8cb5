package signature

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestKeysRoundTrip(t *testing.T) {
	ks := testKeys()
	if ks.rsa.N.BitLen() != RSABits {
		t.Errorf("GenerateRSA made %d bits", ks.rsa.N.BitLen())
	}
	pkcs1Pub := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&ks.rsa.PublicKey)}))
	pkcs1Priv := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(ks.rsa)}))
	rsaPKIX, err := EncodePublicPEM(ks.rsa.Public())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rsaPKIX, "-----BEGIN PUBLIC KEY-----\n") {
		t.Errorf("public PEM is not PKIX: %q", rsaPKIX[:30])
	}
	edPKIX, err := EncodePublicPEM(ks.ed.Public())
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		pem  string
		want any
	}{
		"RSA PKIX (Mastodon)":        {rsaPKIX, ks.rsa.Public()},
		"RSA PKIX, JSON-ish padding": {"\n  " + rsaPKIX + "\n", ks.rsa.Public()},
		"RSA PKCS#1 RSA PUBLIC KEY":  {pkcs1Pub, ks.rsa.Public()},
		"Ed25519 PKIX":               {edPKIX, ks.ed.Public()},
	} {
		got, err := ParsePublicPEM(tc.pem)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: parsed a different key", name)
		}
	}

	for name, key := range map[string]crypto.Signer{"RSA": ks.rsa, "Ed25519": ks.ed} {
		s, err := EncodePrivatePEM(key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParsePrivatePEM(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got.Public(), key.Public()) {
			t.Errorf("%s: private key round trip changed the key", name)
		}
	}
	got, err := ParsePrivatePEM(pkcs1Priv)
	if err != nil || !got.(*rsa.PrivateKey).Equal(ks.rsa) {
		t.Errorf("PKCS#1 private key: %v", err)
	}
}

func TestKeysRejected(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(ec.Public())
	ecPub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	if _, err := ParsePublicPEM(ecPub); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("ECDSA public key: err = %v", err)
	}
	if _, err := EncodePublicPEM(ec.Public()); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("encode ECDSA public key: err = %v", err)
	}
	if _, err := EncodePrivatePEM(ec); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("encode ECDSA private key: err = %v", err)
	}
	for _, s := range []string{"", "not a key", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		if _, err := ParsePublicPEM(s); err == nil {
			t.Errorf("ParsePublicPEM(%q) accepted", s)
		}
		if _, err := ParsePrivatePEM(s); err == nil {
			t.Errorf("ParsePrivatePEM(%q) accepted", s)
		}
	}
}
