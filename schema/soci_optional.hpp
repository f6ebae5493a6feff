// Lets SOCI bind and fetch std::optional<T> as nullable columns (SOCI 4.0
// only knows boost::optional).
#pragma once

#include <optional>

#include <soci/type-conversion-traits.h>

namespace soci {

template <typename T>
struct type_conversion<std::optional<T>> {
  typedef typename type_conversion<T>::base_type base_type;

  static void from_base(const base_type& in, indicator ind, std::optional<T>& out) {
    if (ind == i_null) {
      out.reset();
    } else {
      T value;
      type_conversion<T>::from_base(in, ind, value);
      out = std::move(value);
    }
  }

  static void to_base(const std::optional<T>& in, base_type& out, indicator& ind) {
    if (in) {
      type_conversion<T>::to_base(*in, out, ind);
    } else {
      ind = i_null;
    }
  }
};

}  // namespace soci
