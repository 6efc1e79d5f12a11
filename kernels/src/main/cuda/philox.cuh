// Philox4x32-10 (Salmon et al., SC 2011), the counter-based generator of the dropout masks: an
// element's random word is a pure function of its counter and key, so the CUDA kernels and the CPU
// (dev.downhill.backend.Philox, the same function) draw the same masks. Host code too, so that a
// test checks it against Random123's known answers without a GPU (PhiloxTest).
#pragma once

struct PhiloxWords {
    unsigned int w[4];
};

__host__ __device__ inline PhiloxWords philox4x32_10(unsigned int c0, unsigned int c1, unsigned int c2, unsigned int c3,
                                                     unsigned int k0, unsigned int k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        unsigned long long p0 = 0xD2511F53ull * c0, p1 = 0xCD9E8D57ull * c2;
        unsigned int n0 = (unsigned int) (p1 >> 32) ^ c1 ^ k0, n1 = (unsigned int) p1;
        unsigned int n2 = (unsigned int) (p0 >> 32) ^ c3 ^ k1, n3 = (unsigned int) p0;
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
    }
    PhiloxWords out = {{c0, c1, c2, c3}};
    return out;
}

// Inverted dropout's factor for elements 4·group .. 4·group+3 of a hidden layer's [rows, units]
// output in optimiser step `step`, as dev.downhill.backend.DropoutMask draws them: word w of
// Philox at counter (group, layer, step, 0) keeps element 4·group+w when its top 24 bits are at
// least `threshold`; a kept element is multiplied by `scale` = 1/(1−p), a dropped one by 0.
__host__ __device__ inline void dropout_factors(unsigned int group, int layer, int step, unsigned int key_low,
                                                unsigned int key_high, unsigned int threshold, float scale,
                                                float factor[4]) {
    PhiloxWords r = philox4x32_10(group, (unsigned int) layer, (unsigned int) step, 0u, key_low, key_high);
    for (int w = 0; w < 4; w++) factor[w] = (r.w[w] >> 8) >= threshold ? scale : 0.0f;
}
