/**
 * Contrastive losses over views: {@link io.github.selfsup4j.loss.contrastive.NtXentLoss}
 * (SimCLR), {@link io.github.selfsup4j.loss.contrastive.InfoNceLoss} with MoCo's {@link
 * io.github.selfsup4j.loss.contrastive.NegativeQueue}, and {@link
 * io.github.selfsup4j.loss.contrastive.HclLoss} (hard negatives), and the supervised {@link
 * io.github.selfsup4j.loss.contrastive.SupConLoss}.
 */
package io.github.selfsup4j.loss.contrastive;
