package connectors

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// A platform user's raw id is needed to write to them outside a reply (an operator during a
// takeover), but it is personal data: sessions keep it sealed, encrypted with AES-256-GCM
// under a key derived from the user-key secret and bound to the channel. A database dump
// alone does not give the ids; rotating the secret makes the stored addresses unreadable
// (the next message from each user stores a new one).

// SealAddress returns the sealed form of a platform user id on channel.
func SealAddress(secret, channel, userID string) (string, error) {
	aead, err := addressCipher(secret)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(userID)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal address: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(userID), []byte(channel))), nil
}

// ErrBadAddress: a sealed address that this secret and channel did not seal.
var ErrBadAddress = errors.New("sealed address not readable with this secret")

// OpenAddress returns the user id SealAddress sealed, or ErrBadAddress.
func OpenAddress(secret, channel, sealed string) (string, error) {
	aead, err := addressCipher(secret)
	if err != nil {
		return "", err
	}
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < aead.NonceSize()+aead.Overhead() {
		return "", ErrBadAddress
	}
	id, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte(channel))
	if err != nil {
		return "", ErrBadAddress
	}
	return string(id), nil
}

func addressCipher(secret string) (cipher.AEAD, error) {
	if secret == "" {
		return nil, errors.New("seal address: no user-key secret")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("trolyao reply address"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("seal address: %w", err)
	}
	return cipher.NewGCM(block)
}
