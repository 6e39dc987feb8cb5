package signature

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// RSABits is the size of the keys GenerateRSA makes (Mastodon's size).
const RSABits = 2048

// GenerateRSA makes a new RSA-2048 key pair for an actor.
func GenerateRSA() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, RSABits)
}

// EncodePublicPEM encodes an RSA or Ed25519 public key as a PKIX
// "PUBLIC KEY" PEM block, the form ActivityPub's publicKeyPem carries.
func EncodePublicPEM(pub crypto.PublicKey) (string, error) {
	if err := checkKeyType(pub); err != nil {
		return "", err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("signature: encode public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// EncodePrivatePEM encodes an RSA or Ed25519 private key as a PKCS#8
// "PRIVATE KEY" PEM block.
func EncodePrivatePEM(priv crypto.PrivateKey) (string, error) {
	switch priv.(type) {
	case *rsa.PrivateKey, ed25519.PrivateKey:
	default:
		return "", fmt.Errorf("signature: %w: %T", ErrUnsupportedKey, priv)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", fmt.Errorf("signature: encode private key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// ParsePublicPEM parses the first PEM block of s: PKIX "PUBLIC KEY" (RSA or
// Ed25519; Mastodon uses this) or PKCS#1 "RSA PUBLIC KEY". It returns
// *rsa.PublicKey or ed25519.PublicKey.
func ParsePublicPEM(s string) (crypto.PublicKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return nil, errors.New("signature: no PEM block in public key")
	}
	var pub crypto.PublicKey
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("signature: unexpected PEM block %q for a public key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("signature: parse public key: %w", err)
	}
	if err := checkKeyType(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

// ParsePrivatePEM parses PKCS#8 "PRIVATE KEY" (RSA or Ed25519) or PKCS#1
// "RSA PRIVATE KEY". It returns *rsa.PrivateKey or ed25519.PrivateKey.
func ParsePrivatePEM(s string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return nil, errors.New("signature: no PEM block in private key")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("signature: unexpected PEM block %q for a private key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("signature: parse private key: %w", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	default:
		return nil, fmt.Errorf("signature: %w: %T", ErrUnsupportedKey, key)
	}
}

// checkKeyType accepts the public key types this package verifies with.
func checkKeyType(pub crypto.PublicKey) error {
	_, err := algorithmFor(pub)
	return err
}

// algorithmFor is the verification algorithm for a key: always chosen from
// the key's type, never from the request.
func algorithmFor(pub crypto.PublicKey) (string, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return algRSASHA256, nil
	case ed25519.PublicKey:
		return algEd25519, nil
	default:
		return "", fmt.Errorf("signature: %w: %T", ErrUnsupportedKey, pub)
	}
}
