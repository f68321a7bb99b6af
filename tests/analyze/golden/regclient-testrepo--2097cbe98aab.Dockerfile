# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ocihist: step 0, layer sha256:ac4ae1712ec8
COPY base-a.txt /base.txt
# ocihist: step 1
LABEL base=a
# ocihist: step 2, layer sha256:5fcd3f90f6c7
COPY layer1.txt /layer1
# ocihist: step 3
ARG arg=value
# ocihist: step 4, layer sha256:ad9b18048aba
COPY layer2.txt /layer2
# ocihist: step 5, layer sha256:17c29350df87
COPY layer3.txt /layer3
# ocihist: step 6, layer sha256:01399f08c798
COPY layer.tar /dir/layer.tar
# ocihist: step 7
ARG arg_label=value
# ocihist: step 8
LABEL arg_label=arg_for_label
# ocihist: step 9
LABEL version=3
# ocihist: step 10
VOLUME ["/volume"]
