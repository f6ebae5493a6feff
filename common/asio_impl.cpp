// The one translation unit that compiles Asio (with its OpenSSL layer), Beast
// and Process v2 (separate compilation keeps every other file from
// re-instantiating them).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <boost/process/v2/src.hpp>
