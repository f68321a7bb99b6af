# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ADD: the source name is not recorded (classic builder); content hash file:c06b4f6991638e506d4d0a4d70c4a78ba30b971767802af4c6b837cdf59d4303
# ocihist: step 0, layer sha256:e2f7e0374fd6
ADD <unknown> /
# ocihist: step 1
CMD ["/bin/sh"]
