// Host program for PhiloxTest: prints philox.cuh's words for Random123's three known-answer
// counters and keys, then the dropout mask of engine-api's DropoutMaskTest fixture (1 kept, 0 dropped).
#include <cstdio>
#include "philox.cuh"

static void print_words(PhiloxWords r) {
    printf("%08x %08x %08x %08x\n", r.w[0], r.w[1], r.w[2], r.w[3]);
}

int main() {
    print_words(philox4x32_10(0u, 0u, 0u, 0u, 0u, 0u));
    print_words(philox4x32_10(~0u, ~0u, ~0u, ~0u, ~0u, ~0u));
    print_words(philox4x32_10(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u));
    // seed 0x0123456789ABCDEF, step 7, layer 1, rate ½ (threshold 2²³, scale 2), elements 0..31
    for (unsigned int group = 0; group < 8; group++) {
        float factor[4];
        dropout_factors(group, 1, 7, 0x89ABCDEFu, 0x01234567u, 1u << 23, 2.0f, factor);
        for (int w = 0; w < 4; w++) printf("%c", factor[w] == 0.0f ? '0' : '1');
    }
    printf("\n");
    return 0;
}
