// kernel/mm/frames.h: the physical frame bitmap allocator.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "kernel/mm/frames.h"

namespace {

using mm::FrameAllocator;
constexpr uint64_t F = FrameAllocator::FRAME_SIZE;

class Frames : public ::testing::Test {
  protected:
    // Bitmap with a guard word after it, to catch writes past the frames' words.
    void init(uint64_t frames) {
        bitmap.assign((frames + 63) / 64 + 1, 0x5a5a5a5a5a5a5a5aull);
        guard_index = (frames + 63) / 64;
        fa.init(bitmap.data(), frames);
    }
    void TearDown() override {
        if (!bitmap.empty()) {
            EXPECT_EQ(bitmap[guard_index], 0x5a5a5a5a5a5a5a5aull) << "wrote past the bitmap";
        }
    }
    std::vector<uint64_t> bitmap;
    size_t guard_index = 0;
    FrameAllocator fa;
};

TEST_F(Frames, InitMarksEverythingInUse) {
    init(100);
    EXPECT_EQ(fa.frame_count(), 100u);
    EXPECT_EQ(fa.free_count(), 0u);
    for (uint64_t f = 0; f < 100; f++) EXPECT_FALSE(fa.is_free(f * F)) << f;
    EXPECT_EQ(fa.allocate(), 0u);
    EXPECT_EQ(bitmap[0], ~0ull);
    EXPECT_EQ(bitmap[1], ~0ull); // bits past frame 99 too: never handed out
}

TEST_F(Frames, InitZeroFrames) {
    init(0);
    EXPECT_EQ(fa.frame_count(), 0u);
    fa.add_free_range(0, 1 << 20);
    EXPECT_EQ(fa.free_count(), 0u);
    EXPECT_EQ(fa.allocate(), 0u);
    EXPECT_FALSE(fa.free(F));
    EXPECT_FALSE(fa.is_free(0));
}

TEST_F(Frames, FrameZeroIsNeverFree) {
    init(64);
    fa.add_free_range(0, 64 * F);
    EXPECT_EQ(fa.free_count(), 63u);
    EXPECT_FALSE(fa.is_free(0));
    EXPECT_EQ(fa.allocate(), F); // frame 1 first: 0 means "none"
    EXPECT_FALSE(fa.free(0));    // frame 0 cannot be freed into use either
    EXPECT_EQ(fa.free_count(), 62u);
}

TEST_F(Frames, AddFreeRangeRoundsInwards) {
    init(100);
    fa.add_free_range(0x1001, 0x3fff); // only frame 2 lies wholly inside
    EXPECT_EQ(fa.free_count(), 1u);
    EXPECT_FALSE(fa.is_free(0x1000));
    EXPECT_TRUE(fa.is_free(0x2000));
    EXPECT_FALSE(fa.is_free(0x3000));

    init(100);
    fa.add_free_range(0x1000, 0x3000); // end exclusive: frames 1 and 2
    EXPECT_EQ(fa.free_count(), 2u);
    EXPECT_TRUE(fa.is_free(0x1000));
    EXPECT_TRUE(fa.is_free(0x2000));
    EXPECT_FALSE(fa.is_free(0x3000));

    init(100);
    fa.add_free_range(0x1800, 0x2800); // less than a whole frame: nothing
    EXPECT_EQ(fa.free_count(), 0u);
    fa.add_free_range(0x5000, 0x5000); // empty
    fa.add_free_range(0x9000, 0x5000); // backwards
    EXPECT_EQ(fa.free_count(), 0u);
}

TEST_F(Frames, AddFreeRangeIsClampedAndIdempotent) {
    init(100);
    fa.add_free_range(90 * F, 1000 * F); // past the end: clamped
    EXPECT_EQ(fa.free_count(), 10u);
    fa.add_free_range(95 * F, 100 * F); // already free: not counted twice
    EXPECT_EQ(fa.free_count(), 10u);
    fa.add_free_range(200 * F, 300 * F); // wholly outside
    EXPECT_EQ(fa.free_count(), 10u);
    EXPECT_FALSE(fa.is_free(100 * F));
}

TEST_F(Frames, AddFreeRangeNearTheTopOfTheAddressSpace) {
    init(100);
    // A bogus firmware entry up at 2^64: rounding its start up must not wrap
    // to 0 and free every frame.
    fa.add_free_range(0xfffffffffffff001ull, 0xffffffffffffffffull);
    EXPECT_EQ(fa.free_count(), 0u);
    fa.add_free_range(0xffffffffffff0000ull, 0xffffffffffffffffull);
    EXPECT_EQ(fa.free_count(), 0u);
}

TEST_F(Frames, ReserveRangeRoundsOutwards) {
    init(100);
    fa.add_free_range(0, 100 * F);
    fa.reserve_range(0x1fff, 0x2001); // touches frames 1 and 2
    EXPECT_EQ(fa.free_count(), 97u);
    EXPECT_FALSE(fa.is_free(0x1000));
    EXPECT_FALSE(fa.is_free(0x2000));
    EXPECT_TRUE(fa.is_free(0x3000));
    fa.reserve_range(0x5000, 0x6000); // exactly frame 5
    EXPECT_EQ(fa.free_count(), 96u);
    EXPECT_TRUE(fa.is_free(0x4000));
    EXPECT_FALSE(fa.is_free(0x5000));
    EXPECT_TRUE(fa.is_free(0x6000));
    fa.reserve_range(0x5000, 0x6000); // twice: not counted twice
    EXPECT_EQ(fa.free_count(), 96u);
    fa.reserve_range(0x8000, 0x8000); // empty at a boundary: nothing
    EXPECT_TRUE(fa.is_free(0x8000));
}

TEST_F(Frames, ReserveRangeIsClamped) {
    init(100);
    fa.add_free_range(0, 100 * F);
    fa.reserve_range(98 * F, 5000 * F);
    EXPECT_EQ(fa.free_count(), 97u);
    fa.reserve_range(500 * F, 600 * F);
    EXPECT_EQ(fa.free_count(), 97u);
}

TEST_F(Frames, ReserveRangeUpToTheTopOfTheAddressSpace) {
    init(100);
    fa.add_free_range(0, 100 * F);
    // Rounding the end up must not wrap around to 0 and reserve nothing.
    fa.reserve_range(50 * F, 0xffffffffffffffffull);
    EXPECT_EQ(fa.free_count(), 49u);
    EXPECT_TRUE(fa.is_free(49 * F));
    EXPECT_FALSE(fa.is_free(50 * F));
    EXPECT_FALSE(fa.is_free(99 * F));
}

TEST_F(Frames, ReserveAnAllocatedFrameKeepsTheCount) {
    init(10);
    fa.add_free_range(0, 10 * F);
    EXPECT_EQ(fa.allocate(), F);
    const uint64_t before = fa.free_count();
    fa.reserve_range(F, 2 * F);
    EXPECT_EQ(fa.free_count(), before);
}

TEST_F(Frames, AllocatesLowestFirstUntilExhausted) {
    init(70); // not a multiple of 64: the second word is partial
    fa.add_free_range(0, 70 * F);
    EXPECT_EQ(fa.free_count(), 69u);
    for (uint64_t f = 1; f < 70; f++) {
        EXPECT_EQ(fa.allocate(), f * F) << f;
        EXPECT_FALSE(fa.is_free(f * F));
        EXPECT_EQ(fa.free_count(), 69 - f);
    }
    EXPECT_EQ(fa.allocate(), 0u); // frames 70..127 of the last word do not exist
    EXPECT_EQ(fa.allocate(), 0u);
    EXPECT_EQ(fa.free_count(), 0u);
}

TEST_F(Frames, AllocationSkipsReservedHoles) {
    init(200);
    fa.add_free_range(0, 200 * F);
    fa.reserve_range(0, 130 * F);
    fa.reserve_range(131 * F, 190 * F);
    EXPECT_EQ(fa.allocate(), 130 * F);
    EXPECT_EQ(fa.allocate(), 190 * F);
    EXPECT_EQ(fa.free_count(), 9u); // 191..199
}

TEST_F(Frames, FreeRejectsWhatItDoesNotOwn) {
    init(100);
    fa.add_free_range(0, 100 * F);
    const uint64_t a = fa.allocate();
    ASSERT_EQ(a, F);
    EXPECT_FALSE(fa.free(a + 1));     // misaligned
    EXPECT_FALSE(fa.free(a + F / 2)); // misaligned
    EXPECT_FALSE(fa.free(2 * F));     // never allocated (free)
    EXPECT_FALSE(fa.free(100 * F));   // one past the end
    EXPECT_FALSE(fa.free(~0ull & ~(F - 1)));
    EXPECT_FALSE(fa.free(0));
    EXPECT_EQ(fa.free_count(), 98u);
    EXPECT_TRUE(fa.free(a));
    EXPECT_EQ(fa.free_count(), 99u);
    EXPECT_FALSE(fa.free(a)); // double free
    EXPECT_EQ(fa.free_count(), 99u);
    EXPECT_TRUE(fa.is_free(a));
}

TEST_F(Frames, IsFreeOutOfRange) {
    init(10);
    fa.add_free_range(0, 10 * F);
    EXPECT_TRUE(fa.is_free(9 * F));
    EXPECT_TRUE(fa.is_free(9 * F + 123)); // any address inside the frame
    EXPECT_FALSE(fa.is_free(10 * F));
    EXPECT_FALSE(fa.is_free(~0ull));
}

TEST_F(Frames, FreedFrameBelowTheHintIsFoundAgain) {
    init(300);
    fa.add_free_range(0, 300 * F);
    std::vector<uint64_t> got;
    for (int i = 0; i < 250; i++) got.push_back(fa.allocate());
    EXPECT_EQ(got.back(), 250 * F); // frames 1..250; the hint is in word 3
    ASSERT_TRUE(fa.free(5 * F));    // word 0, far below the hint
    EXPECT_EQ(fa.allocate(), 5 * F);
    ASSERT_TRUE(fa.free(70 * F)); // word 1
    ASSERT_TRUE(fa.free(3 * F));  // word 0
    EXPECT_EQ(fa.allocate(), 3 * F);
    EXPECT_EQ(fa.allocate(), 70 * F);
    EXPECT_EQ(fa.allocate(), 251 * F);
}

TEST_F(Frames, FreeAfterExhaustionIsFoundAgain) {
    init(128);
    fa.add_free_range(0, 128 * F);
    while (fa.allocate()) {
    }
    EXPECT_EQ(fa.free_count(), 0u);
    ASSERT_TRUE(fa.free(64 * F));
    EXPECT_EQ(fa.allocate(), 64 * F);
    EXPECT_EQ(fa.allocate(), 0u);
    ASSERT_TRUE(fa.free(1 * F));
    ASSERT_TRUE(fa.free(127 * F));
    EXPECT_EQ(fa.allocate(), 1 * F);
    EXPECT_EQ(fa.allocate(), 127 * F);
}

TEST_F(Frames, AddFreeRangeAfterAllocationsIsFound) {
    init(256);
    fa.add_free_range(200 * F, 256 * F);
    EXPECT_EQ(fa.allocate(), 200 * F); // hint now in word 3
    fa.add_free_range(10 * F, 20 * F); // more RAM below the hint
    EXPECT_EQ(fa.allocate(), 10 * F);
}

TEST_F(Frames, RandomOperationsMatchAModel) {
    // Against a std::set of free frames: allocate() is always the lowest free
    // frame, free() succeeds exactly when the frame is allocated.
    constexpr uint64_t N = 1000;
    init(N);
    fa.add_free_range(0, N * F);
    fa.reserve_range(300 * F, 320 * F + 1);
    std::set<uint64_t> free_frames;
    for (uint64_t f = 1; f < N; f++)
        if (f < 300 || f > 320) free_frames.insert(f);
    std::set<uint64_t> allocated;
    std::mt19937_64 rng(20240601);
    for (int op = 0; op < 20000; op++) {
        const unsigned r = unsigned(rng() % 10);
        if (r < 5) {
            const uint64_t got = fa.allocate();
            if (free_frames.empty()) {
                ASSERT_EQ(got, 0u) << op;
            } else {
                ASSERT_EQ(got, *free_frames.begin() * F) << op;
                free_frames.erase(free_frames.begin());
                allocated.insert(got / F);
            }
        } else if (r < 9 && !allocated.empty()) {
            auto it = allocated.begin();
            std::advance(it, rng() % allocated.size());
            const uint64_t f = *it;
            ASSERT_TRUE(fa.free(f * F)) << op;
            allocated.erase(it);
            free_frames.insert(f);
        } else {
            // Any frame but the reserved ones (which a bitmap cannot tell from allocated ones).
            const uint64_t f = rng() % (N + 10);
            if (f >= 300 && f <= 320) continue;
            const bool owned = allocated.count(f) != 0;
            ASSERT_EQ(fa.free(f * F), owned) << "frame " << f << " op " << op;
            if (owned) {
                allocated.erase(f);
                free_frames.insert(f);
            }
        }
        ASSERT_EQ(fa.free_count(), free_frames.size()) << op;
    }
    for (uint64_t f = 0; f < N; f++) ASSERT_EQ(fa.is_free(f * F), free_frames.count(f) == 1) << f;
}

} // namespace
