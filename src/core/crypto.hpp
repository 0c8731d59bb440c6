// The few cryptographic primitives the platform needs, all from libsodium.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace fabrique::crypto {

using Key = std::array<unsigned char, 32>;

// Initialises libsodium once; every function below calls it.
void init();

// `bytes` random bytes, base64url without padding: session and reset tokens.
std::string random_token(std::size_t bytes = 32);
Key random_key();

// BLAKE2b-256 as hex. Unkeyed: what the database keeps of a token. Keyed:
// census identities and CSRF tokens, which must not be recomputable without
// the instance's secret.
std::string hash_hex(std::string_view data);
std::string keyed_hash_hex(const Key& key, std::string_view data);

// A key derived from `master` for one use, so that one secret serves several
// purposes without any two sharing a key (libsodium's crypto_kdf: BLAKE2b
// with the context and id as salt). `context` is exactly 8 characters
// ("receipts"); a different context or id gives an unrelated key.
Key derive_key(const Key& master, std::string_view context, std::uint64_t id = 1);

// SHA-256 as hex (lower case, as `sha256sum` prints it): the digest anyone
// can recompute with common tools, for published files.
std::string sha256_hex(std::string_view data);

// Compares without leaking where the inputs differ.
bool equal_constant_time(std::string_view a, std::string_view b);

std::string to_hex(const unsigned char* data, std::size_t size);
// False when `hex` is not exactly 2 * out.size() hex digits.
bool from_hex(std::string_view hex, unsigned char* out, std::size_t size);

}  // namespace fabrique::crypto
