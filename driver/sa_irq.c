// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * MSI-X: vector 0 carries device events (mailbox, CP halt, watchdog);
 * vectors 1..n carry queue completions, queue q on vector 1 + q % n.
 */
#include <linux/interrupt.h>

#include "sa_drv.h"

struct sa_irq_vec {
	struct sa_device *sdev;
	u32 index;
};

#define SA_EVENTS_USED (SA_EVENT_MBOX_F2H | SA_EVENT_CP_HALT | SA_EVENT_WATCHDOG)

static irqreturn_t sa_irq_events(int irq, void *arg)
{
	struct sa_device *sdev = arg;
	u32 cause;

	cause = sa_rd(sdev, SA_REG_EVENT_CAUSE);
	if (cause == ~0u) /* the device is gone */
		return IRQ_NONE;
	/* Clear first: an event after this point raises a new message. */
	sa_wr(sdev, SA_REG_EVENT_CAUSE, cause);
	atomic64_inc(&sdev->irq_count);
	sa_mbox_irq(sdev);
	if (cause & SA_EVENT_WATCHDOG)
		sa_schedule_reset(sdev, "the card's watchdog expired");
	else if (cause & SA_EVENT_CP_HALT)
		sa_schedule_reset(sdev, "the control processor halted");
	return IRQ_HANDLED;
}

static irqreturn_t sa_irq_queues(int irq, void *arg)
{
	struct sa_irq_vec *vec = arg;
	struct sa_device *sdev = vec->sdev;
	u32 q;

	atomic64_inc(&sdev->irq_count);
	spin_lock(&sdev->irq_lock);
	for (q = vec->index - 1; q < SA_HW_MAX_QUEUES; q += sdev->queue_vectors)
		if (sdev->queues[q])
			sa_queue_notify(sdev->queues[q]);
	spin_unlock(&sdev->irq_lock);
	return IRQ_HANDLED;
}

int sa_irq_init(struct sa_device *sdev)
{
	struct pci_dev *pdev = sdev->pdev;
	struct device *dev = &pdev->dev;
	struct sa_irq_vec *vecs;
	u32 i;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, sdev->msix_vectors, sdev->msix_vectors, PCI_IRQ_MSIX);
	if (ret < 0) {
		dev_err(dev, "cannot enable %u MSI-X vectors: %d\n", sdev->msix_vectors, ret);
		return ret;
	}
	vecs = devm_kcalloc(dev, sdev->msix_vectors, sizeof(*vecs), GFP_KERNEL);
	if (!vecs)
		return -ENOMEM;
	ret = devm_request_irq(dev, pci_irq_vector(pdev, SA_HW_VECTOR_EVENTS), sa_irq_events, 0,
			       "shiftaccel-events", sdev);
	if (ret)
		return ret;
	for (i = 1; i < sdev->msix_vectors; i++) {
		vecs[i].sdev = sdev;
		vecs[i].index = i;
		ret = devm_request_irq(dev, pci_irq_vector(pdev, i), sa_irq_queues, 0,
				       "shiftaccel-queues", &vecs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Unmasks the vectors and enables the events the driver handles. */
void sa_irq_enable_events(struct sa_device *sdev)
{
	sa_wr(sdev, SA_REG_EVENT_CAUSE, SA_EVENT_ALL);
	sa_wr(sdev, SA_REG_INT_PENDING, ~0u);
	sa_wr(sdev, SA_REG_INT_MASK, 0);
	sa_wr(sdev, SA_REG_EVENT_ENABLE, SA_EVENTS_USED);
}

void sa_irq_disable(struct sa_device *sdev)
{
	sa_wr(sdev, SA_REG_EVENT_ENABLE, 0);
	sa_wr(sdev, SA_REG_INT_MASK, ~0u);
}
