#include "models/common/trace/perfetto_recorder.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "models/common/error.h"
#include "models/common/trace/perfetto_trace.pb.h"

namespace dmasim::trace {
namespace {

namespace pb = dmasim::perfetto;

// Field numbers come from the generated code, so the encoder below and the .proto cannot drift
// apart; the .proto's numbers are checked against Perfetto's own.
constexpr std::uint32_t kTracePacket = pb::Trace::kPacketFieldNumber;

constexpr std::uint32_t kPacketTimestamp = pb::TracePacket::kTimestampFieldNumber;
constexpr std::uint32_t kPacketSequenceId = pb::TracePacket::kTrustedPacketSequenceIdFieldNumber;
constexpr std::uint32_t kPacketInternedData = pb::TracePacket::kInternedDataFieldNumber;
constexpr std::uint32_t kPacketSequenceFlags = pb::TracePacket::kSequenceFlagsFieldNumber;
constexpr std::uint32_t kPacketFirstOnSequence = pb::TracePacket::kFirstPacketOnSequenceFieldNumber;
constexpr std::uint32_t kPacketTrackEvent = pb::TracePacket::kTrackEventFieldNumber;
constexpr std::uint32_t kPacketTrackDescriptor = pb::TracePacket::kTrackDescriptorFieldNumber;

constexpr std::uint32_t kTrackUuid = pb::TrackDescriptor::kUuidFieldNumber;
constexpr std::uint32_t kTrackParentUuid = pb::TrackDescriptor::kParentUuidFieldNumber;
constexpr std::uint32_t kTrackName = pb::TrackDescriptor::kNameFieldNumber;
constexpr std::uint32_t kTrackCounter = pb::TrackDescriptor::kCounterFieldNumber;
constexpr std::uint32_t kTrackChildOrdering = pb::TrackDescriptor::kChildOrderingFieldNumber;
constexpr std::uint32_t kTrackSiblingRank = pb::TrackDescriptor::kSiblingOrderRankFieldNumber;
constexpr std::uint32_t kCounterUnitName = pb::CounterDescriptor::kUnitNameFieldNumber;

constexpr std::uint32_t kEventType = pb::TrackEvent::kTypeFieldNumber;
constexpr std::uint32_t kEventTrackUuid = pb::TrackEvent::kTrackUuidFieldNumber;
constexpr std::uint32_t kEventNameIid = pb::TrackEvent::kNameIidFieldNumber;
constexpr std::uint32_t kEventCounterValue = pb::TrackEvent::kCounterValueFieldNumber;
constexpr std::uint32_t kEventDoubleCounterValue = pb::TrackEvent::kDoubleCounterValueFieldNumber;
constexpr std::uint32_t kEventAnnotations = pb::TrackEvent::kDebugAnnotationsFieldNumber;
constexpr std::uint32_t kEventFlowIds = pb::TrackEvent::kFlowIdsFieldNumber;
constexpr std::uint32_t kEventTerminatingFlowIds = pb::TrackEvent::kTerminatingFlowIdsFieldNumber;

constexpr std::uint32_t kArgNameIid = pb::DebugAnnotation::kNameIidFieldNumber;
constexpr std::uint32_t kArgBool = pb::DebugAnnotation::kBoolValueFieldNumber;
constexpr std::uint32_t kArgUint = pb::DebugAnnotation::kUintValueFieldNumber;
constexpr std::uint32_t kArgInt = pb::DebugAnnotation::kIntValueFieldNumber;
constexpr std::uint32_t kArgDouble = pb::DebugAnnotation::kDoubleValueFieldNumber;
constexpr std::uint32_t kArgString = pb::DebugAnnotation::kStringValueFieldNumber;

constexpr std::uint32_t kInternedEventNames = pb::InternedData::kEventNamesFieldNumber;
constexpr std::uint32_t kInternedArgNames = pb::InternedData::kDebugAnnotationNamesFieldNumber;
constexpr std::uint32_t kInternedIid = pb::EventName::kIidFieldNumber;
constexpr std::uint32_t kInternedName = pb::EventName::kNameFieldNumber;
static_assert(pb::DebugAnnotationName::kIidFieldNumber == kInternedIid &&
              pb::DebugAnnotationName::kNameFieldNumber == kInternedName);

constexpr std::uint64_t kSequenceId = 1;
constexpr std::size_t kFlushThreshold = std::size_t{1} << 20;
constexpr Picoseconds kPsPerNs = 1000;

enum class WireType : std::uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2 };

// Appends protobuf wire format to a byte buffer. Nested messages get a one-byte length
// placeholder that is widened in place on the rare occasion the message reaches 128 bytes, so
// every length is minimally encoded without a second pass.
class Encoder {
 public:
  explicit Encoder(std::vector<std::uint8_t>& out) noexcept : out_(out) {}

  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void tag(std::uint32_t field, WireType type) {
    varint((std::uint64_t{field} << 3) | static_cast<std::uint32_t>(type));
  }
  void field_varint(std::uint32_t field, std::uint64_t v) {
    tag(field, WireType::kVarint);
    varint(v);
  }
  // int64 fields use the plain two's-complement varint (not zigzag).
  void field_int64(std::uint32_t field, std::int64_t v) {
    field_varint(field, static_cast<std::uint64_t>(v));
  }
  void field_fixed64(std::uint32_t field, std::uint64_t v) {
    tag(field, WireType::kFixed64);
    for (int i = 0; i < 8; ++i) {
      out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
  }
  void field_double(std::uint32_t field, double v) {
    field_fixed64(field, std::bit_cast<std::uint64_t>(v));
  }
  void field_string(std::uint32_t field, std::string_view s) {
    tag(field, WireType::kLengthDelimited);
    varint(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }

  // Returns the position to hand to end_nested().
  [[nodiscard]] std::size_t begin_nested(std::uint32_t field) {
    tag(field, WireType::kLengthDelimited);
    out_.push_back(0);
    return out_.size();
  }
  void end_nested(std::size_t body_start) {
    const std::size_t length = out_.size() - body_start;
    std::size_t width = 1;
    for (std::size_t rest = length >> 7; rest != 0; rest >>= 7) {
      ++width;
    }
    if (width > 1) {
      const auto at = out_.begin() + static_cast<std::ptrdiff_t>(body_start);
      out_.insert(at, width - 1, std::uint8_t{0});
    }
    std::size_t pos = body_start - 1;
    std::uint64_t v = length;
    for (std::size_t i = 0; i + 1 < width; ++i) {
      out_[pos++] = static_cast<std::uint8_t>(v | 0x80);
      v >>= 7;
    }
    out_[pos] = static_cast<std::uint8_t>(v);
  }

 private:
  std::vector<std::uint8_t>& out_;
};

// Heterogeneous lookup: interning a std::string_view allocates only for a new string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

// One interning index (event names, or argument keys). Iids count from 1 in first-use order,
// which is deterministic because simulation order is.
class InternTable {
 public:
  struct Entry {
    std::uint64_t iid;
    std::string_view name;  // points into the table: stable for the table's lifetime
  };

  // The iid of `name`; a first use is also appended to `fresh`.
  std::uint64_t intern(std::string_view name, std::vector<Entry>& fresh) {
    if (const auto it = ids_.find(name); it != ids_.end()) {
      return it->second;
    }
    const std::uint64_t iid = ids_.size() + 1;
    const auto [it, inserted] = ids_.emplace(std::string(name), iid);
    fresh.push_back({iid, it->first});
    return iid;
  }

 private:
  std::unordered_map<std::string, std::uint64_t, StringHash, std::equal_to<>> ids_;
};

enum class TrackKind : std::uint8_t { kSlice, kCounter };

struct TrackState {
  TrackKind kind;
  std::uint32_t open_slices = 0;
  std::uint64_t last_ns = 0;  // latest timestamp written on the track, in file order
};

std::string describe_errno(int err) { return err != 0 ? std::strerror(err) : "I/O error"; }

}  // namespace

class PerfettoRecorder::Impl {
 public:
  explicit Impl(const std::string& path) : path_(path) {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) {
      const std::string reason = describe_errno(errno);
      throw UserError("cannot open trace file '" + path + "' for writing: " + reason);
    }
    // We buffer whole packets ourselves.
    std::setvbuf(file_, nullptr, _IONBF, 0);
    buffer_.reserve(kFlushThreshold + 4096);
    write_sequence_start();
  }

  ~Impl() {
    if (file_ != nullptr) {
      try {
        write_buffer();
      } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor cannot report; close() can
      }
      if (file_ != nullptr) {  // a failed write has closed it already
        std::fclose(file_);
      }
    }
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void close() {
    if (file_ == nullptr) {
      return;
    }
    write_buffer();
    std::FILE* file = file_;
    file_ = nullptr;
    if (std::fclose(file) != 0) {
      throw UserError("cannot write trace file '" + path_ + "': " + describe_errno(errno));
    }
  }

  void flush() {
    if (file_ == nullptr) {
      return;
    }
    write_buffer();
    if (std::fflush(file_) != 0) {
      fail_write();
    }
  }

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_; }
  void count_dropped() noexcept { ++dropped_; }

  TrackId new_track(std::string_view name, TrackId parent, TrackKind kind, std::string_view unit) {
    // A parent must be a slice track made earlier; anything else makes a root track.
    if (parent > tracks_.size() ||
        (parent != kNoTrack && tracks_[parent - 1].kind != TrackKind::kSlice)) {
      parent = kNoTrack;
    }
    const TrackId uuid = tracks_.size() + 1;
    tracks_.push_back(TrackState{kind});
    if (file_ == nullptr) {
      return uuid;
    }
    Encoder enc(buffer_);
    const std::size_t packet = enc.begin_nested(kTracePacket);
    enc.field_varint(kPacketSequenceId, kSequenceId);
    const std::size_t desc = enc.begin_nested(kPacketTrackDescriptor);
    enc.field_varint(kTrackUuid, uuid);
    if (parent != kNoTrack) {
      enc.field_varint(kTrackParentUuid, parent);
    }
    enc.field_string(kTrackName, name);
    if (kind == TrackKind::kCounter) {
      const std::size_t counter = enc.begin_nested(kTrackCounter);
      if (!unit.empty()) {
        enc.field_string(kCounterUnitName, unit);
      }
      enc.end_nested(counter);
    } else {
      // Children appear in creation order (bank2 before bank10), not sorted by name.
      enc.field_varint(kTrackChildOrdering, pb::TrackDescriptor::ORDERING_EXPLICIT);
    }
    // Creation order is a rank among siblings as good as any other.
    enc.field_varint(kTrackSiblingRank, std::min<std::uint64_t>(uuid, INT32_MAX));
    enc.end_nested(desc);
    enc.end_nested(packet);
    packet_done();
    return uuid;
  }

  // The state of `track` if it is a live track of `kind`; otherwise counts a dropped event.
  TrackState* usable(TrackId track, TrackKind kind) {
    if (file_ == nullptr) {
      return nullptr;
    }
    if (track == kNoTrack || track > tracks_.size() || tracks_[track - 1].kind != kind) {
      count_dropped();
      return nullptr;
    }
    return &tracks_[track - 1];
  }

  // Nanoseconds for `ts`, never before what the track already has.
  static std::uint64_t advance(TrackState& state, Picoseconds ts) {
    state.last_ns = std::max(state.last_ns, ts / kPsPerNs);
    return state.last_ns;
  }

  void slice_event(pb::TrackEvent::Type type, TrackId track, std::uint64_t ns,
                   std::string_view name, std::span<const Arg> args, FlowIds flows) {
    fresh_names_.clear();
    fresh_keys_.clear();
    std::uint64_t name_iid = 0;
    if (type != pb::TrackEvent::TYPE_SLICE_END) {
      name_iid = event_names_.intern(name, fresh_names_);
      arg_iids_.clear();
      for (const Arg& arg : args) {
        arg_iids_.push_back(arg_names_.intern(arg.key, fresh_keys_));
      }
    }

    Encoder enc(buffer_);
    const std::size_t packet = begin_event_packet(enc, ns, type != pb::TrackEvent::TYPE_SLICE_END);
    const std::size_t event = enc.begin_nested(kPacketTrackEvent);
    enc.field_varint(kEventType, static_cast<std::uint64_t>(type));
    enc.field_varint(kEventTrackUuid, track);
    if (type != pb::TrackEvent::TYPE_SLICE_END) {
      enc.field_varint(kEventNameIid, name_iid);
      for (std::size_t i = 0; i < args.size(); ++i) {
        write_arg(enc, arg_iids_[i], args[i].value);
      }
      const std::uint32_t flow_field =
          flows.terminating() ? kEventTerminatingFlowIds : kEventFlowIds;
      for (const std::uint64_t id : flows.ids()) {
        enc.field_fixed64(flow_field, id);
      }
    }
    enc.end_nested(event);
    enc.end_nested(packet);
    packet_done();
  }

  void counter_event(TrackId track, std::uint64_t ns, double value) {
    fresh_names_.clear();
    fresh_keys_.clear();
    Encoder enc(buffer_);
    const std::size_t packet = begin_event_packet(enc, ns, false);
    const std::size_t event = enc.begin_nested(kPacketTrackEvent);
    enc.field_varint(kEventType, pb::TrackEvent::TYPE_COUNTER);
    enc.field_varint(kEventTrackUuid, track);
    // Whole values (queue depths, byte counts) take the compact varint form.
    constexpr double kInt64Bound = 9223372036854775808.0;  // 2^63
    if (std::trunc(value) == value && value >= -kInt64Bound && value < kInt64Bound) {
      enc.field_int64(kEventCounterValue, static_cast<std::int64_t>(value));
    } else {
      enc.field_double(kEventDoubleCounterValue, value);
    }
    enc.end_nested(event);
    enc.end_nested(packet);
    packet_done();
  }


 private:
  // The sequence's first packet: it declares a clean interning state, so every later packet
  // may refer to names interned after it.
  void write_sequence_start() {
    Encoder enc(buffer_);
    const std::size_t packet = enc.begin_nested(kTracePacket);
    enc.field_varint(kPacketSequenceId, kSequenceId);
    enc.field_varint(kPacketSequenceFlags, pb::TracePacket::SEQ_INCREMENTAL_STATE_CLEARED);
    enc.field_varint(kPacketFirstOnSequence, 1);
    enc.end_nested(packet);
    packet_done();
  }

  // Opens a track-event packet and writes its header and any names first used by the event.
  // Only events that refer to interned names are flagged as needing the interning state.
  std::size_t begin_event_packet(Encoder& enc, std::uint64_t ns, bool uses_interned) {
    const std::size_t packet = enc.begin_nested(kTracePacket);
    enc.field_varint(kPacketTimestamp, ns);
    enc.field_varint(kPacketSequenceId, kSequenceId);
    if (uses_interned) {
      enc.field_varint(kPacketSequenceFlags, pb::TracePacket::SEQ_NEEDS_INCREMENTAL_STATE);
    }
    if (!fresh_names_.empty() || !fresh_keys_.empty()) {
      const std::size_t interned = enc.begin_nested(kPacketInternedData);
      write_interned(enc, kInternedEventNames, fresh_names_);
      write_interned(enc, kInternedArgNames, fresh_keys_);
      enc.end_nested(interned);
    }
    return packet;
  }

  static void write_interned(Encoder& enc, std::uint32_t field,
                             const std::vector<InternTable::Entry>& entries) {
    for (const InternTable::Entry& entry : entries) {
      const std::size_t msg = enc.begin_nested(field);
      enc.field_varint(kInternedIid, entry.iid);
      enc.field_string(kInternedName, entry.name);
      enc.end_nested(msg);
    }
  }

  static void write_arg(Encoder& enc, std::uint64_t key_iid, const Arg::Value& value) {
    const std::size_t msg = enc.begin_nested(kEventAnnotations);
    enc.field_varint(kArgNameIid, key_iid);
    std::visit(
        [&enc](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::int64_t>) {
            enc.field_int64(kArgInt, v);
          } else if constexpr (std::is_same_v<T, std::uint64_t>) {
            enc.field_varint(kArgUint, v);
          } else if constexpr (std::is_same_v<T, double>) {
            enc.field_double(kArgDouble, v);
          } else if constexpr (std::is_same_v<T, std::string_view>) {
            enc.field_string(kArgString, v);
          } else {
            static_assert(std::is_same_v<T, bool>);
            enc.field_varint(kArgBool, v ? 1 : 0);
          }
        },
        value);
    enc.end_nested(msg);
  }

  void packet_done() {
    if (buffer_.size() >= kFlushThreshold) {
      write_buffer();
    }
  }

  void write_buffer() {
    if (buffer_.empty()) {
      return;
    }
    const std::size_t size = buffer_.size();
    const std::size_t written = std::fwrite(buffer_.data(), 1, size, file_);
    buffer_.clear();
    if (written != size) {
      fail_write();
    }
  }

  [[noreturn]] void fail_write() {
    const std::string reason = describe_errno(errno);
    // The file is unusable from here on: stop writing rather than fail on every event.
    std::fclose(file_);
    file_ = nullptr;
    throw UserError("cannot write trace file '" + path_ + "': " + reason);
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<std::uint8_t> buffer_;
  std::vector<TrackState> tracks_;
  InternTable event_names_;
  InternTable arg_names_;
  // Scratch, kept to avoid allocating per event.
  std::vector<InternTable::Entry> fresh_names_;
  std::vector<InternTable::Entry> fresh_keys_;
  std::vector<std::uint64_t> arg_iids_;
  std::uint64_t dropped_ = 0;
};

PerfettoRecorder::PerfettoRecorder(const std::string& path)
    : Recorder(true), impl_(std::make_unique<Impl>(path)) {}

PerfettoRecorder::~PerfettoRecorder() = default;

void PerfettoRecorder::close() { impl_->close(); }

const std::string& PerfettoRecorder::path() const noexcept { return impl_->path(); }

std::uint64_t PerfettoRecorder::dropped_events() const noexcept { return impl_->dropped(); }

TrackId PerfettoRecorder::do_slice_track(std::string_view name, TrackId parent) {
  return impl_->new_track(name, parent, TrackKind::kSlice, {});
}

TrackId PerfettoRecorder::do_counter_track(std::string_view name, std::string_view unit,
                                           TrackId parent) {
  return impl_->new_track(name, parent, TrackKind::kCounter, unit);
}

void PerfettoRecorder::do_begin(TrackId track, Picoseconds ts, std::string_view name,
                                std::span<const Arg> args, FlowIds flows) {
  TrackState* state = impl_->usable(track, TrackKind::kSlice);
  if (state == nullptr) {
    return;
  }
  const std::uint64_t ns = Impl::advance(*state, ts);
  ++state->open_slices;
  impl_->slice_event(pb::TrackEvent::TYPE_SLICE_BEGIN, track, ns, name, args, flows);
}

void PerfettoRecorder::do_end(TrackId track, Picoseconds ts) {
  TrackState* state = impl_->usable(track, TrackKind::kSlice);
  if (state == nullptr) {
    return;
  }
  if (state->open_slices == 0) {
    impl_->count_dropped();
    return;
  }
  const std::uint64_t ns = Impl::advance(*state, ts);
  --state->open_slices;
  impl_->slice_event(pb::TrackEvent::TYPE_SLICE_END, track, ns, {}, {}, {});
}

void PerfettoRecorder::do_complete(TrackId track, Picoseconds start, Picoseconds end,
                                   std::string_view name, std::span<const Arg> args,
                                   FlowIds flows) {
  TrackState* state = impl_->usable(track, TrackKind::kSlice);
  if (state == nullptr) {
    return;
  }
  // The end is written now but lies in the future of the track: it does not advance the
  // track's clock, so slices nested inside this one can still be recorded after it. The reader
  // orders packets by timestamp, and file order among equal timestamps.
  const std::uint64_t start_ns = Impl::advance(*state, start);
  const std::uint64_t end_ns = std::max(start_ns, end / kPsPerNs);
  impl_->slice_event(pb::TrackEvent::TYPE_SLICE_BEGIN, track, start_ns, name, args, flows);
  impl_->slice_event(pb::TrackEvent::TYPE_SLICE_END, track, end_ns, {}, {}, {});
}

void PerfettoRecorder::do_instant(TrackId track, Picoseconds ts, std::string_view name,
                                  std::span<const Arg> args, FlowIds flows) {
  TrackState* state = impl_->usable(track, TrackKind::kSlice);
  if (state == nullptr) {
    return;
  }
  const std::uint64_t ns = Impl::advance(*state, ts);
  impl_->slice_event(pb::TrackEvent::TYPE_INSTANT, track, ns, name, args, flows);
}

void PerfettoRecorder::do_counter(TrackId track, Picoseconds ts, double value) {
  TrackState* state = impl_->usable(track, TrackKind::kCounter);
  if (state == nullptr) {
    return;
  }
  impl_->counter_event(track, Impl::advance(*state, ts), value);
}

void PerfettoRecorder::do_flush() { impl_->flush(); }

}  // namespace dmasim::trace
