// Declarative memory-mapped registers (VCML style). A register is a member of a
// nvr::core::peripheral, declared with its name, offset, reset value and access policy; behaviour
// hangs off on_read / on_write callbacks. The peripheral dispatches bus accesses to it.
//
// Width policy: an access must be 1, 2, 4 or 8 bytes, naturally aligned, and lie inside one
// register. Accesses narrower than the register are allowed down to the register's minimum access
// size (default 1 byte): a narrow read returns those bytes of the register's value, a narrow write
// merges the written bytes into the register's current value (read without side effects) and then
// writes the full width. Data are little-endian (byte i of the payload is the byte at address + i).
// Accesses wider than the register, or spanning two registers, are burst errors.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <type_traits>
#include <vector>

namespace nvr::core {

class peripheral;

enum class access_policy { read_only, write_only, read_write };

// What a register callback knows about the access that triggered it.
struct access_context {
  // The initiator's local time: sc_time_stamp() + the transaction's annotated delay. Registers
  // that observe time compute their value for this instant, and a write takes effect at it.
  sc_core::sc_time time;
  // A debug access (transport_dbg) or the framework's own read for a narrow write: callbacks must
  // not cause side effects (no FIFO pops, no interrupt acknowledges, no output, no exit).
  bool debug = false;
};

class reg_base {
 public:
  // Registers itself with `owner`; unregisters on destruction.
  reg_base(peripheral& owner, std::string name, std::uint64_t offset, unsigned size, access_policy policy);
  virtual ~reg_base();
  reg_base(const reg_base&) = delete;
  reg_base& operator=(const reg_base&) = delete;

  const std::string& name() const { return m_name; }
  std::string full_name() const;  // "<owner's SystemC name>.<name>"
  peripheral& owner() const { return m_owner; }
  std::uint64_t offset() const { return m_offset; }
  unsigned size() const { return m_size; }  // bytes
  access_policy policy() const { return m_policy; }
  bool readable() const { return m_policy != access_policy::write_only; }
  bool writable() const { return m_policy != access_policy::read_only; }

  // Banked registers: several registers may share an offset (the 16550's RBR, THR and DLL); the
  // peripheral dispatches only to registers whose predicate holds, and among those to the first
  // (in declaration order) whose policy allows the command. Default: always active.
  void set_active(std::function<bool()> predicate) { m_active = std::move(predicate); }
  bool active() const { return !m_active || m_active(); }

  // Narrower accesses than this are burst errors (e.g. 4 for registers that only take words).
  void set_min_access_size(unsigned bytes) { m_min_access = bytes; }
  unsigned min_access_size() const { return m_min_access; }

  // A register that must observe the kernel's time, not the initiator's local time, makes the
  // peripheral synchronise a calling SC_THREAD (wait(delay), delay = 0) before the access.
  void set_sync(bool sync) { m_sync = sync; }
  bool sync() const { return m_sync; }

  virtual void reset() = 0;

  // Byte-level access used by the peripheral: `length` bytes from `position` bytes into the
  // register (position + length <= size()), little-endian.
  virtual void read_bytes(unsigned position, unsigned length, std::uint8_t* data,
                          const access_context& context) = 0;
  virtual void write_bytes(unsigned position, unsigned length, const std::uint8_t* data,
                           const access_context& context) = 0;

 private:
  peripheral& m_owner;
  std::string m_name;
  std::uint64_t m_offset;
  unsigned m_size;
  access_policy m_policy;
  unsigned m_min_access = 1;
  bool m_sync = false;
  std::function<bool()> m_active;
};

// A register of 8, 16, 32 or 64 bits. Without callbacks it is plain storage. With on_read, the
// callback supplies the value read; with on_write, the callback receives the value written (after
// the write mask) and decides what to store (it may call set()).
template <typename T>
class reg final : public reg_base {
  static_assert(std::is_unsigned_v<T> &&
                    (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8),
                "registers are 8, 16, 32 or 64-bit unsigned integers");

 public:
  using value_type = T;
  using read_callback = std::function<T(const access_context&)>;
  using write_callback = std::function<void(T, const access_context&)>;

  reg(peripheral& owner, std::string name, std::uint64_t offset, T reset_value = 0,
      access_policy policy = access_policy::read_write)
      : reg_base(owner, std::move(name), offset, sizeof(T), policy),
        m_value(reset_value),
        m_reset(reset_value) {}

  // The stored value, without callbacks or policies (the model's own view).
  T get() const { return m_value; }
  void set(T value) { m_value = value; }
  operator T() const { return m_value; }
  reg& operator=(T value) {
    m_value = value;
    return *this;
  }

  T reset_value() const { return m_reset; }
  void reset() override { m_value = m_reset; }

  // Bits outside the mask keep their stored value on a bus write (default: all writable).
  void set_write_mask(T mask) { m_mask = mask; }
  T write_mask() const { return m_mask; }

  void on_read(read_callback callback) { m_read = std::move(callback); }
  void on_write(write_callback callback) { m_write = std::move(callback); }

  // A full-width access as the bus performs it: through the callbacks, ignoring the policy.
  T read(const access_context& context) { return m_read ? m_read(context) : m_value; }
  void write(T value, const access_context& context) {
    value = static_cast<T>((m_value & static_cast<T>(~m_mask)) | (value & m_mask));
    if (m_write)
      m_write(value, context);
    else
      m_value = value;
  }

  void read_bytes(unsigned position, unsigned length, std::uint8_t* data,
                  const access_context& context) override {
    const T value = read(context);
    for (unsigned i = 0; i < length; ++i) data[i] = static_cast<std::uint8_t>(value >> (8 * (position + i)));
  }

  void write_bytes(unsigned position, unsigned length, const std::uint8_t* data,
                   const access_context& context) override {
    T value = 0;
    if (length < sizeof(T)) value = read(access_context{context.time, true});
    for (unsigned i = 0; i < length; ++i) {
      const unsigned shift = 8 * (position + i);
      value = static_cast<T>((value & ~(static_cast<T>(0xff) << shift)) | (static_cast<T>(data[i]) << shift));
    }
    write(value, context);
  }

 private:
  T m_value;
  T m_reset;
  T m_mask = static_cast<T>(~T{0});
  read_callback m_read;
  write_callback m_write;
};

// `count` registers named <name><i> at offset + i * stride (e.g. the PLIC's priorities).
template <typename T>
class reg_array {
 public:
  reg_array(peripheral& owner, const std::string& name, std::uint64_t offset, std::size_t count,
            std::uint64_t stride = sizeof(T), T reset_value = 0,
            access_policy policy = access_policy::read_write) {
    m_regs.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
      m_regs.push_back(std::make_unique<reg<T>>(owner, name + std::to_string(i), offset + i * stride,
                                                reset_value, policy));
  }
  reg<T>& operator[](std::size_t i) { return *m_regs[i]; }
  const reg<T>& operator[](std::size_t i) const { return *m_regs[i]; }
  std::size_t size() const { return m_regs.size(); }

 private:
  std::vector<std::unique_ptr<reg<T>>> m_regs;
};

}  // namespace nvr::core
