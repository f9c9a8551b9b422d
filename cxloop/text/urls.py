from django.urls import path

from cxloop.text import views

urlpatterns = [
    path("<slug:slug>/", views.topics_page, name="text_topics"),
    path("<slug:slug>/topics/", views.topic_save, name="text_topic_save"),
    path("<slug:slug>/answers/<int:pk>/topics/", views.correct, name="text_correct"),
    path("<slug:slug>/train/", views.train, name="text_train"),
]
